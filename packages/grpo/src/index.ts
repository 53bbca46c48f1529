export const packageName = '@magic/grpo';
