/**
 * Reading a reply after a run: "ship it" only when the whole reply is an unambiguous approval;
 * a change when it asks for anything; unsure otherwise, and then ff2 asks with buttons instead of
 * guessing (the seed shipped on "complete the export feature").
 */

export type FeedbackIntent = 'ship' | 'change' | 'unsure' | 'cancel';

const SHIP = new Set([
  'ship it',
  'ship',
  'lgtm',
  'looks good',
  'looks good to me',
  'done',
  'perfect',
  'ship it please',
  'good to go',
  '👍',
  ':+1:',
  ':thumbsup:',
]);
const CANCEL = new Set(['cancel', 'stop', 'abort']);
/** Words that make a short reply sound positive without saying "ship". */
const POSITIVE = /\b(ok|okay|good|great|nice|fine|thanks|thank you|cool|yes|yep|works|awesome)\b|👍|🎉/i;
/** Words that ask for something. */
const REQUEST =
  /\b(add|change|make|fix|remove|rename|use|support|should|must|need|needs|want|instead|but|also|please|can you|could you|why|doesn'?t|does not|wrong|error|fail|missing|complete|implement)\b|\?/i;

function normalise(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[.!\s]+$/u, '')
    .replace(/\s+/g, ' ');
}

export function classifyFeedback(text: string): FeedbackIntent {
  const t = normalise(text);
  if (t === '') return 'unsure';
  if (CANCEL.has(t)) return 'cancel';
  if (SHIP.has(t)) return 'ship';
  if (REQUEST.test(t)) return 'change';
  if (POSITIVE.test(t) && t.split(' ').length <= 6) return 'unsure';
  return t.split(' ').length <= 2 ? 'unsure' : 'change';
}

/** "cancel" or "stop" typed alone, at any point. */
export function isCancelText(text: string): boolean {
  return CANCEL.has(normalise(text));
}
