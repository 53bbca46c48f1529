// A 2-turn game between two random-init tiny models, with a toy guard; prints the episodes and a training batch.
// Run: npx tsx packages/rollout/scripts/tiny-game.ts
import { CausalLM } from '@magic/lm';
import { createRolloutEmitter, LocalGenerator, type RolloutGuard, runRollout, toTrainingBatch } from '@magic/rollout';
import { initBackend } from '@magic/tensor';

await initBackend({ device: 'cpu' });
const attackerModel = await CausalLM.fromPreset('tiny', { seed: 1 });
const defenderModel = await CausalLM.fromPreset('tiny', { seed: 2 });

// Stand-in for a @magic/judges Guard (e.g. Qwen3Guard behind an OpenAI-compatible endpoint).
const guard: RolloutGuard = {
  name: 'toy',
  moderatePrompt: async () => ({ safety: 'safe', categories: [], raw: 'Safety: Safe' }),
  moderateResponse: async (_prompt, response) =>
    response.includes('!!')
      ? { safety: 'unsafe', categories: ['Toy'], refusal: 'no', raw: 'Safety: Unsafe' }
      : { safety: 'safe', categories: [], refusal: 'no', raw: 'Safety: Safe' },
};

const events = createRolloutEmitter();
events.on('turn-end', (e) => console.log(`turn ${e.turn}: ${e.activeEpisodes} active, ${e.durationMs.toFixed(0)} ms`));

const episodes = await runRollout({
  seeds: [
    { question: 'How do I bake bread?', dataType: 'vanilla_benign' },
    { question: '[harmful request placeholder]', dataType: 'vanilla_harmful' },
  ],
  n: 2, // GRPO group size: copies share one uid
  attacker: new LocalGenerator({ model: attackerModel, trainable: false }),
  defender: new LocalGenerator({ model: defenderModel }),
  guard,
  trainingRole: 'defender', // the attacker decodes greedily: one shared attack per group
  config: { maxNumTurns: 2, maxResponseLength: 16, maxPromptLength: 1000, seed: 7 },
  events,
});
for (const e of episodes) {
  console.log(
    e.uid.slice(0, 8),
    e.finishReason,
    `turns=${e.numTurns}`,
    `defender tokens=${e.defender.sequence?.inputIds.length}`,
  );
}
const batch = toTrainingBatch(episodes, 'defender', {
  rewards: episodes.map((e) => (e.finishCode === 4 ? -1 : 1)),
  padTokenId: defenderModel.tokenizer.padTokenId,
});
console.log(
  `batch ${batch.inputIds.length} x ${batch.inputIds[0]?.length}, labels ${batch.responseMask.flat().filter((m) => m === 1).length}`,
);
attackerModel.dispose();
defenderModel.dispose();
