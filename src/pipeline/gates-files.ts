/**
 * Files at the gates: a .py may be the new script or an input file (the person is asked), any
 * other file is run input that the model sees described. Pure, like gates.ts.
 */
import { type FileReader, fileRef, readStateFile } from './context.js';
import { advance, type GateOptions, type GateOutcome, type HumanInput, stay } from './gate-outcome.js';
import { handEdit } from './hand-edit.js';
import { fileSaved, REPLIES, scriptOrInput } from './messages.js';
import { describeAttachment } from './rules.js';
import { type DraftButton, isWorkingStage, type SessionState, type StageName } from './types.js';

export const EDITABLE: readonly StageName[] = [
  'approve_run',
  'give_feedback',
  'after_repairs',
  'check_or_script',
];
const TAKES_INPUT: readonly StageName[] = ['approve_run', 'give_feedback'];

/** A .py could be the new script or an input file: ask. Other files are run input. */
export function onFile(
  stage: StageName,
  state: SessionState,
  input: Extract<HumanInput, { kind: 'file' }>,
  files: FileReader | undefined,
): GateOutcome {
  if (input.name.endsWith('.py') && EDITABLE.includes(stage)) {
    const buttons: DraftButton[] = [
      { action: 'file_as_script', label: 'Use as the new script', style: 'primary' as const },
    ];
    if (TAKES_INPUT.includes(stage))
      buttons.push({ action: 'file_as_input', label: 'Use as an input file', style: 'primary' });
    return stay(
      {
        ...state,
        pendingFile: { name: input.name, blobId: input.blobId, base64: '' },
      },
      {
        text: scriptOrInput(input.name),
        buttons: [buttons],
      },
    );
  }
  if (TAKES_INPUT.includes(stage)) return acceptInput(stage, state, input.name, fileRef(input.blobId), files);
  return { kind: 'reply', text: REPLIES.fileWhenReady };
}

/** The answer to "new script or input file?". */
export function onPendingFile(
  stage: StageName,
  state: SessionState,
  action: 'file_as_script' | 'file_as_input',
  options: GateOptions,
): GateOutcome | undefined {
  const file = state.pendingFile;
  if (!file || !EDITABLE.includes(stage)) return undefined;
  const ref = file.blobId !== undefined ? fileRef(file.blobId) : file.base64;
  const cleared = { ...state, pendingFile: null };
  if (action === 'file_as_script') {
    const bytes = readStateFile(ref, options.files);
    if (!bytes) return { kind: 'reply', text: `${file.name} is no longer stored; please attach it again.` };
    return handEdit(cleared, file.name, bytes, options.actorName ?? options.actor);
  }
  if (action === 'file_as_input' && TAKES_INPUT.includes(stage))
    return acceptInput(stage, cleared, file.name, ref, options.files);
  return undefined;
}

/** Keeps the file (by reference: `blob:<id>`) as run input under its name; the model sees its head. */
export function acceptInput(
  stage: StageName,
  state: SessionState,
  name: string,
  ref: string,
  files: FileReader | undefined,
): GateOutcome {
  const bytes = readStateFile(ref, files) ?? new Uint8Array();
  const runFiles = { ...state.runInput.files, [name]: ref };
  const attachments = [...state.attachments.filter((a) => a.name !== name), describeAttachment(name, bytes)];
  const next = {
    ...state,
    runInput: { ...state.runInput, files: runFiles },
    attachments,
    awaitingInput: false,
  };
  if (stage === 'approve_run' && state.awaitingInput) return advance('run', next, fileSaved(name, 'running'));
  if (isWorkingStage(stage) || stage === 'answer_questions' || stage === 'approve_outline')
    return stay(next, { text: fileSaved(name, 'design') });
  return stay(next, { text: fileSaved(name, 'runs') });
}
