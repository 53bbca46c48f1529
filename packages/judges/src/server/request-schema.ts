import { z } from 'zod';

const contentPartSchema = z.object({ type: z.literal('text'), text: z.string() });

export function chatCompletionRequestSchema(maxMessages: number) {
  return z.looseObject({
    model: z.string().min(1),
    messages: z
      .array(
        z.object({
          role: z.enum(['system', 'user', 'assistant']),
          content: z.union([z.string(), z.array(contentPartSchema)]),
        }),
      )
      .min(1)
      .max(maxMessages),
    temperature: z.number().min(0).max(2).optional(),
    top_p: z.number().gt(0).max(1).optional(),
    max_tokens: z.number().int().positive().nullish(),
    stream: z.literal(false).optional(),
  });
}
export type ChatCompletionRequest = z.output<ReturnType<typeof chatCompletionRequestSchema>>;

export const guardServerOptionsSchema = z.object({
  port: z.number().int().min(0).max(65535).default(0),
  host: z.string().default('127.0.0.1'),
  apiKey: z.string().min(1).optional(),
  /** Model ids answered by GET /v1/models; the first is the default. Any requested model name is accepted. */
  modelName: z.string().min(1).default('orm'),
  maxBodyBytes: z
    .number()
    .int()
    .positive()
    .default(1 << 20),
  maxMessages: z.number().int().positive().default(64),
});
