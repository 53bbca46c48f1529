export const packageName = '@magic/attack-pool';
