/**
 * Licence decision for every dataset behind Self-Instruct's per-template T0 files. Kept only where the dataset's
 * licence lets us redistribute a model trained on it (permissive or attribution/share-alike terms); rejected
 * where it is non-commercial, no-derivatives, research-only, unknown, or where the text is third-party
 * copyrighted content (news articles, reviews) that the dataset's own licence does not cover.
 * Licences as stated on each dataset's card / paper release.
 */
export interface T0DatasetLicence {
  /** File-name prefix in data/finetuning/t0_train_50k/data_per_template. */
  prefix: string;
  dataset: string;
  licence: string;
  keep: boolean;
  reason: string;
}

export const t0DatasetLicences: readonly T0DatasetLicence[] = [
  {
    prefix: 'adversarial_qa_',
    dataset: 'AdversarialQA (Bartolo et al. 2020)',
    licence: 'CC BY-SA 3.0',
    keep: true,
    reason: 'share-alike; passages from SQuAD/Wikipedia',
  },
  {
    prefix: 'ag_news_',
    dataset: "AG's News",
    licence: 'non-commercial research use (no licence file)',
    keep: false,
    reason: 'research-only terms; news text copyrighted by publishers',
  },
  {
    prefix: 'amazon_polarity_',
    dataset: 'Amazon polarity (McAuley/Zhang)',
    licence: 'Amazon review data, research-only terms',
    keep: false,
    reason: 'third-party review text, research-only',
  },
  { prefix: 'app_reviews_', dataset: 'App reviews', licence: 'unknown', keep: false, reason: 'no licence stated' },
  {
    prefix: 'cnn_dailymail_',
    dataset: 'CNN/DailyMail 3.0.0',
    licence: 'Apache-2.0 (scripts); articles copyrighted by CNN/Daily Mail',
    keep: false,
    reason: 'article text is publisher-copyrighted; the Apache grant covers the processing, not the articles',
  },
  { prefix: 'common_gen_', dataset: 'CommonGen (Lin et al. 2020)', licence: 'MIT', keep: true, reason: 'permissive' },
  {
    prefix: 'commonsense_qa_',
    dataset: 'CommonsenseQA (Talmor et al. 2019)',
    licence: 'MIT',
    keep: true,
    reason: 'permissive; not an eval suite of this project',
  },
  {
    prefix: 'cosmos_qa_',
    dataset: 'Cosmos QA (Huang et al. 2019)',
    licence: 'CC BY 4.0',
    keep: true,
    reason: 'attribution',
  },
  {
    prefix: 'dbpedia_14_',
    dataset: 'DBpedia-14',
    licence: 'CC BY-SA 3.0',
    keep: true,
    reason: 'share-alike; Wikipedia abstracts',
  },
  {
    prefix: 'dream_',
    dataset: 'DREAM (Sun et al. 2019)',
    licence: 'non-commercial research only',
    keep: false,
    reason: 'non-commercial',
  },
  {
    prefix: 'duorc_',
    dataset: 'DuoRC (Saha et al. 2018)',
    licence: 'MIT',
    keep: true,
    reason: 'permissive; plots from Wikipedia/IMDb as released by the authors',
  },
  {
    prefix: 'gigaword_',
    dataset: 'Gigaword',
    licence: 'LDC user agreement',
    keep: false,
    reason: 'LDC licence forbids redistribution',
  },
  {
    prefix: 'glue_mrpc_',
    dataset: 'MRPC (GLUE)',
    licence: 'Microsoft Research licence (unclear redistribution)',
    keep: false,
    reason: 'licence unclear; news text',
  },
  {
    prefix: 'glue_qqp_',
    dataset: 'QQP (GLUE)',
    licence: 'Quora terms of service',
    keep: false,
    reason: 'non-commercial terms',
  },
  {
    prefix: 'imdb_',
    dataset: 'IMDb reviews (Maas et al. 2011)',
    licence: 'no licence; IMDb review text',
    keep: false,
    reason: 'third-party review text, no licence',
  },
  {
    prefix: 'kilt_tasks_hotpotqa_',
    dataset: 'HotpotQA via KILT',
    licence: 'CC BY-SA 4.0 (HotpotQA), MIT (KILT)',
    keep: true,
    reason: 'share-alike',
  },
  {
    prefix: 'multi_news_',
    dataset: 'Multi-News (Fabbri et al. 2019)',
    licence: 'non-commercial research and educational use only',
    keep: false,
    reason: 'non-commercial',
  },
  {
    prefix: 'paws_labeled_final_',
    dataset: 'PAWS (Zhang et al. 2019)',
    licence: 'free for any purpose (Google, acknowledgement appreciated)',
    keep: true,
    reason: 'permissive',
  },
  { prefix: 'qasc_', dataset: 'QASC (Khot et al. 2020)', licence: 'CC BY 4.0', keep: true, reason: 'attribution' },
  {
    prefix: 'quarel_',
    dataset: 'QuaRel (Tafjord et al. 2019)',
    licence: 'CC BY 4.0',
    keep: true,
    reason: 'attribution',
  },
  {
    prefix: 'quartz_',
    dataset: 'QuaRTz (Tafjord et al. 2019)',
    licence: 'CC BY 4.0',
    keep: true,
    reason: 'attribution',
  },
  {
    prefix: 'quoref_',
    dataset: 'Quoref (Dasigi et al. 2019)',
    licence: 'CC BY 4.0',
    keep: true,
    reason: 'attribution; Wikipedia passages',
  },
  { prefix: 'ropes_', dataset: 'ROPES (Lin et al. 2019)', licence: 'CC BY 4.0', keep: true, reason: 'attribution' },
  {
    prefix: 'rotten_tomatoes_',
    dataset: 'Rotten Tomatoes (Pang & Lee 2005)',
    licence: 'unknown',
    keep: false,
    reason: 'no licence; third-party review text',
  },
  {
    prefix: 'samsum_',
    dataset: 'SAMSum (Gliwa et al. 2019)',
    licence: 'CC BY-NC-ND 4.0',
    keep: false,
    reason: 'non-commercial, no derivatives',
  },
  {
    prefix: 'sciq_',
    dataset: 'SciQ (Welbl et al. 2017)',
    licence: 'CC BY-NC 3.0',
    keep: false,
    reason: 'non-commercial',
  },
  {
    prefix: 'social_i_qa_',
    dataset: 'Social IQa (Sap et al. 2019)',
    licence: 'unknown on the dataset card',
    keep: false,
    reason: 'licence not stated',
  },
  {
    prefix: 'trec_',
    dataset: 'TREC question classification',
    licence: 'unknown',
    keep: false,
    reason: 'licence not stated',
  },
  {
    prefix: 'wiki_bio_',
    dataset: 'WikiBio (Lebret et al. 2016)',
    licence: 'CC BY-SA 3.0',
    keep: true,
    reason: 'share-alike; Wikipedia biographies',
  },
  {
    prefix: 'wiki_hop_',
    dataset: 'WikiHop (Welbl et al. 2018)',
    licence: 'CC BY-SA 3.0',
    keep: true,
    reason: 'share-alike; Wikipedia passages',
  },
  {
    prefix: 'wiki_qa_',
    dataset: 'WikiQA (Yang et al. 2015)',
    licence: 'Microsoft Research Data License Agreement',
    keep: false,
    reason: 'restricted licence',
  },
  {
    prefix: 'wiqa_',
    dataset: 'WIQA (Tandon et al. 2019)',
    licence: 'unknown on the dataset card',
    keep: false,
    reason: 'licence not stated',
  },
  {
    prefix: 'xsum_',
    dataset: 'XSum (Narayan et al. 2018)',
    licence: 'unknown; BBC article text',
    keep: false,
    reason: 'BBC-copyrighted article text',
  },
  {
    prefix: 'yelp_review_full_',
    dataset: 'Yelp reviews',
    licence: 'Yelp dataset terms (non-commercial)',
    keep: false,
    reason: 'non-commercial',
  },
];

/** The licence entry whose prefix starts `fileName` (longest prefix wins). */
export function t0LicenceOf(fileName: string): T0DatasetLicence | undefined {
  let best: T0DatasetLicence | undefined;
  for (const l of t0DatasetLicences)
    if (fileName.startsWith(l.prefix) && (best === undefined || l.prefix.length > best.prefix.length)) best = l;
  return best;
}
