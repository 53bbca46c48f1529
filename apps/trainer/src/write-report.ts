import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GameConfig, MetricsRecord } from '@magic/game';
import { agentSpans } from './report/charts.js';
import { readEpisodeBlocks } from './report/episodes.js';
import { buildReport } from './report/report.js';

/** Writes report.html (inline SVG, example episodes from the replay buffer) and report.png; returns the HTML path. */
export function writeRunReport(
  runDir: string,
  records: MetricsRecord[],
  config: GameConfig,
  extra: Record<string, string>,
): string {
  const last = [...records].reverse().find((r) => typeof r['val/asr'] === 'number');
  const summary: Record<string, string> = {
    'run directory': runDir,
    steps: String(config.trainer.totalSteps),
    'switch mode': `${config.switchAgent.mode} (train roles: ${config.switchAgent.trainRoles.join(', ')})`,
    turns: String(config.rollout.maxNumTurns),
    models: `attacker ${config.model.attacker.path ?? config.model.attacker.preset}, defender ${config.model.defender.path ?? config.model.defender.preset}`,
    ...(last ? { 'last validation ASR': String(last['val/asr']) } : {}),
    ...extra,
  };
  const episodes = readEpisodeBlocks(runDir, agentSpans(records));
  const report = buildReport(records, { title: 'MAGIC co-evolution run', summary, episodes });
  const html = join(runDir, 'report.html');
  writeFileSync(html, report.html);
  writeFileSync(join(runDir, 'report.png'), report.png);
  return html;
}
