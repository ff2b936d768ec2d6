import { describe, expect, it } from 'vitest';
import { classifyFeedback } from '../../../src/pipeline/feedback.js';

describe('classifyFeedback', () => {
  it.each(['ship it', 'Ship it!', 'LGTM', 'looks good', 'done', '👍'])(
    'ships on the unambiguous "%s"',
    (text) => {
      expect(classifyFeedback(text)).toBe('ship');
    },
  );

  it.each([
    'complete the export feature',
    'looks good but add a --quiet flag',
    'ship it after you fix the header',
    'why is the report empty?',
    'the key column should be case-insensitive',
  ])('treats "%s" as a change', (text) => {
    expect(classifyFeedback(text)).toBe('change');
  });

  it.each(['ok thanks', 'nice', 'great work', 'hmm'])(
    'is unsure about "%s" (asks instead of guessing)',
    (text) => {
      expect(classifyFeedback(text)).toBe('unsure');
    },
  );

  it('reads "cancel" alone as cancel', () => {
    expect(classifyFeedback('cancel')).toBe('cancel');
  });
});
