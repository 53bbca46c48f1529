import { DEFAULT_ORGANISM_SETS, ORGANISM_SET_NAMES } from './eval/set-names.js';

/** The commands of eval-commands.ts (loaded only when one runs: they pull in the game, judges and benchmarks). */
export const EVAL_COMMANDS: readonly string[] = ['eval', 'report', 'model-card'];

/** Their help lines (the dispatcher's HELP embeds them). */
export const EVAL_COMMANDS_HELP = `  magic-organism eval [options]        measure the defender organism's starting behaviour (issue 22 §4)
    --model DIR           HF model dir (required)
    --out FILE            eval JSON (required)
    --heldout FILE        held-out instructions jsonl (default apps/organism/data/heldout/sft.heldout.jsonl)
    --max-new-tokens N    answer cap (default 64)
    --limit N             items per set at most (default 100)
    --sets a,b            of ${ORGANISM_SET_NAMES.join(',')}
                          (default ${DEFAULT_ORGANISM_SETS.join(',')})
    --prompt-format F     game (default: the game's 'Question:' chat) | plain (held-out instructions: always plain)
    --max-prompt-tokens N prompts cut to N tokens (default min(context - max-new-tokens, 384))
    --batch-size N        prompts per generate call (default 16)
    --seed N              draws and the game's sets (default 42)
    --guard-url URL       OpenAI-compatible Qwen3Guard endpoint: adds the guard-judged harm rate
    --guard-model NAME    served guard model (default orm)
    --answers FILE        also write every answer with its scores (jsonl)
    --device D            wasm (default) | cpu | tensorflow | webgpu | auto
  magic-organism report --run DIR --out FILE [--eval FILE]   HTML report: loss curves + eval table
  magic-organism model-card --model DIR [--eval FILE] [--train-log FILE] [--name NAME] [--license ID]
                                       write DIR/README.md (HF model card)
`;
