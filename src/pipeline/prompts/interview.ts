import { z } from 'zod';
import type { ChatMessage } from '../../llm/types.js';
import { questionSchema } from '../types.js';
import { fenced, type Prompt, systemPrompt } from './common.js';

export const interviewAnswerSchema = z.object({ questions: z.array(questionSchema).max(5) });
export type InterviewAnswer = z.infer<typeof interviewAnswerSchema>;

/** One call: the questions worth asking before outlining (none when the goal is clear). */
export function buildInterviewMessages(goal: string): Prompt {
  const messages: ChatMessage[] = [
    {
      role: 'system',
      content: systemPrompt('You clarify a goal for a single-file Python script before it is designed.', [
        'Ask at most 5 questions, only ones whose answer would change the script; ask none when the goal is clear.',
        'Each question has 2-4 short suggested answers and the default you will assume if nobody answers.',
        'Answer with JSON: {"questions": [{"question": string, "choices": [string], "default": string}]}.',
      ]),
    },
    { role: 'user', content: fenced('Goal', goal) },
  ];
  return { task: 'interview', messages };
}
