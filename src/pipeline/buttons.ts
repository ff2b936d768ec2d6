/**
 * Buttons of a finished step are replaced by the choice made, so nobody clicks a stale one
 * (a stale click still gets the polite note from the gates). Pure: the runner keeps the open
 * button messages in the session state and queues the edits in the same commit as the answer.
 */
import type { HumanInput } from './gate-outcome.js';
import type { Draft, SessionState } from './types.js';

export type OpenButtons = SessionState['openButtons'];

/**
 * Names each new message with buttons in the thread (`buttons:<step>:<n>`, so it can be edited
 * later) and adds it to the open list. The channel's review card stays open for every reviewer.
 */
export function trackButtons(
  drafts: readonly Draft[],
  step: number,
  open: OpenButtons,
): { drafts: Draft[]; open: OpenButtons } {
  const next = [...open];
  const named = drafts.map((draft, i) => {
    if (!draft.buttons?.length || draft.toChannel || draft.replaces) return draft;
    const key = draft.key ?? `buttons:${step}:${i}`;
    next.push({
      key,
      text: draft.text,
      ...(draft.title ? { title: draft.title } : {}),
      buttons: draft.buttons,
    });
    return { ...draft, key };
  });
  return { drafts: named, open: next };
}

/**
 * The edits that close answered messages: every open one when the step is finished, else only the
 * one whose button was clicked. The message that carried the choice (for a reply or a typed cancel,
 * the newest) gets a line saying what was chosen and by whom.
 */
export function closeButtons(
  open: OpenButtons,
  input: HumanInput,
  by: string,
  finished: boolean,
  cancelled: boolean,
): { edits: Draft[]; open: OpenButtons } {
  const clicked = input.kind === 'action' ? findClicked(open, input.action, input.value) : -1;
  const closing = finished ? open.map((_, i) => i) : clicked >= 0 ? [clicked] : [];
  const chosenAt = clicked >= 0 ? clicked : open.length - 1;
  const edits = closing.map((i): Draft => {
    const message = open[i]!;
    const line = i === chosenAt ? choiceLine(message, input, by, cancelled) : '';
    return {
      key: message.key,
      replaces: message.key,
      finalises: true,
      text: withLine(message.text, line),
      ...(message.title ? { title: message.title } : {}),
    };
  });
  return { edits, open: open.filter((_, i) => !closing.includes(i)) };
}

/** The chat edge moves text past 1,800 characters into an attachment: keep the choice in view. */
const CLOSED_TEXT_LIMIT = 1600;

function withLine(text: string, line: string): string {
  if (!line) return text;
  const room = CLOSED_TEXT_LIMIT - line.length - 3;
  return `${text.length > room ? `${text.slice(0, room).trimEnd()}…` : text}\n\n${line}`;
}

/** The newest open message carrying this button. */
function findClicked(open: OpenButtons, action: string, value: string | undefined): number {
  for (let i = open.length - 1; i >= 0; i--) {
    if (open[i]!.buttons.flat().some((b) => b.action === action && b.value === value)) return i;
  }
  return -1;
}

function choiceLine(message: OpenButtons[number], input: HumanInput, by: string, cancelled: boolean): string {
  if (input.kind === 'action') {
    const button = message.buttons.flat().find((b) => b.action === input.action && b.value === input.value);
    if (button) return `✔ ${button.label} — chosen by ${by}`;
  }
  if (cancelled) return `✔ Cancelled by ${by}`;
  return input.kind === 'file' ? `✔ Answered with a file by ${by}` : `✔ Answered in the thread by ${by}`;
}
