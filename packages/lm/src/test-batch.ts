/**
 * A small training batch for gradient tests: 2 rows x 8 tokens, left padding in row 1, and token 9 repeated
 * (the embedding gradient sums several rows into one id).
 */
export const paddedBatch = {
  ids: [
    [5, 9, 9, 9, 9, 12, 30, 9],
    [0, 0, 9, 14, 15, 9, 16, 17],
  ],
  mask: [
    [1, 1, 1, 1, 1, 1, 1, 1],
    [0, 0, 1, 1, 1, 1, 1, 1],
  ],
};
