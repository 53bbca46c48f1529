export const packageName = '@magic/openai-client';
