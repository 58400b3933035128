// Delivery shapes from openapi.yaml (providers, outbox jobs, model drafts, the LLM usage of a
// message, the llm.delta/llm.done frames) plus the enum lists the forms and filters iterate over.
import type { Schemas } from './client';

export type Provider = Schemas['Provider'];
export type ProviderCreate = Schemas['ProviderCreate'];
export type ProviderUpdate = Schemas['ProviderUpdate'];
export type ProviderPage = Schemas['ProviderPage'];
export type ProviderType = Schemas['ProviderType'];
export type Prices = Schemas['Prices'];
export type Job = Schemas['Job'];
export type JobPage = Schemas['JobPage'];
export type JobKind = Job['kind'];
export type JobState = Job['state'];
export type JobFilterState = 'pending' | 'dead' | 'done';
export type Draft = Schemas['Draft'];
export type DraftRequest = Schemas['DraftRequest'];
export type ParamsOverride = Schemas['ParamsOverride'];
export type LlmUsage = Schemas['LlmUsage'];
export type LlmDelta = Schemas['WsLlmDelta'];
export type LlmDone = Schemas['WsLlmDone'];

export const PROVIDER_TYPES = [
  'openai',
  'deepseek',
  'openai_compatible',
  'anthropic',
  'demo',
] as const satisfies ProviderType[];
export const JOB_KINDS = [
  'telegram.send',
  'telegram.delete',
  'llm.reply',
  'llm.draft',
  'llm.turn',
] as const satisfies JobKind[];
export const JOB_FILTER_STATES = ['dead', 'pending', 'done'] as const satisfies JobFilterState[];
