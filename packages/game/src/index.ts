export const packageName = '@magic/game';
