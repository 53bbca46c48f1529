import { DEFAULT_ORGANISM_SETS, ORGANISM_SET_NAMES } from './eval/set-names.js';

/** The commands of eval-commands.ts (loaded only when one runs: they pull in the game, judges and benchmarks). */
export const EVAL_COMMANDS: readonly string[] = ['eval', 'report', 'model-card', 'evidence', 'evidence-seeds'];

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
  magic-organism evidence [options]    before/after evidence (issue 22 §6): magic-eval's Table 1 columns judged by the
                                       refusal rules and the local guard, the organism sets, held-out ROUGE-L, and with
                                       --fixed-attacker the ablation's two-proportion z-tests -> evidence.{md,json}
    --before DIR          the defender before the game (HF model dir; required)
    --after DIR           the defender after the MAGIC game (required)
    --fixed-attacker DIR  the defender after the same defender steps against the fixed attacker (optional)
    --out DIR             output folder (required): evidence.md, evidence.json, one folder of results per model
    --device D            wasm (default) | cpu | tensorflow | webgpu | auto, for every model
    --limit N             rows per magic-eval task (default 100)
    --organism-limit N    items per organism set (default 100)
    --max-tokens N        reply budget of both evaluations (default 64)
    --batch-size N        prompts per generate call of the organism eval (default 16)
    --eval-batch-size N   magic-eval's --batch-size (default 4: its prompts fill the context; raise it on a GPU)
    --eval-concurrency N  magic-eval's --concurrency (default 1)
    --seed N              draws, bootstrap and the game's sets (default 42)
    --reuse               keep the results of models already measured in --out
  magic-organism evidence-seeds --evidence FILE,FILE,... --out DIR
                                       co-evolved vs fixed attacker over training seeds: per-seed rates of every
                                       ablation test, a paired t-test over seeds, the organism-m targets per seed
                                       (one evidence.json per seed, labelled by its folder) -> summary.{md,json}
  magic-organism report --run DIR --out FILE [--eval FILE]   HTML report: loss curves + eval table
  magic-organism model-card --model DIR [--eval FILE] [--train-log FILE] [--name NAME] [--license ID]
                                       write DIR/README.md (HF model card)
`;
