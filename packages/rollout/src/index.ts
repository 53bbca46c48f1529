export const packageName = '@magic/rollout';
