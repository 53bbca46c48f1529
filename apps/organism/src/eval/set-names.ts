/** The sets `magic-organism eval` measures (issue 22 §4). */
export const ORGANISM_SET_NAMES = [
  'benign_seeds',
  'heldout_instructions',
  'harmful_heldout_source',
  'harmful_adversarial',
  'benign_adversarial',
  'harmful_vanilla',
] as const;
export type OrganismSetName = (typeof ORGANISM_SET_NAMES)[number];

/** The sets of issue 22 §4's targets, measured unless `sets` says otherwise (the game's other two are opt-in). */
export const DEFAULT_ORGANISM_SETS: readonly OrganismSetName[] = [
  'benign_seeds',
  'heldout_instructions',
  'harmful_heldout_source',
  'harmful_adversarial',
];
