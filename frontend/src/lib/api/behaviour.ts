// Behaviour-engine shapes from openapi.yaml (presets, bindings, playbooks, moderation,
// notifications, audit, admins, settings) plus the enum lists the forms iterate over.
import type { Schemas } from './client';

export type Preset = Schemas['Preset'];
export type PresetInput = Schemas['PresetInput'];
export type PresetPage = Schemas['PresetPage'];
export type PresetExport = Schemas['PresetExport'];
export type ImportResult = Schemas['ImportResult'];
export type Binding = Schemas['Binding'];
export type BindingInput = Schemas['BindingInput'];
export type BindingPage = Schemas['BindingPage'];
export type Params = Schemas['EffectiveParams'];
export type Explain = Schemas['ParamsExplainResponse'];
export type ExplainInput = Omit<Schemas['ParamsExplainRequest'], 'provider'> & {
  provider?: Schemas['ParamsExplainRequest']['provider'];
};
export type ParamSource = Schemas['ParamSource'];
export type User = Schemas['User'];
export type Playbook = Schemas['Playbook'];
export type PlaybookInput = Schemas['PlaybookInput'];
export type ModerationRule = Schemas['ModerationRule'];
export type ModerationRuleInput = Schemas['ModerationRuleInput'];
export type RuleTestResult = Schemas['RuleTestResult'];
export type RuleSet = Schemas['RuleTestRequest']['rule_set'];
export type Notification = Schemas['Notification'];
export type NotificationPage = Schemas['NotificationPage'];
export type AuditEntry = Schemas['AuditEntry'];
export type AuditPage = Schemas['AuditPage'];
export type AdminAccount = Schemas['AdminAccount'];
export type AdminCreate = Schemas['AdminCreate'];
export type AdminPatch = Schemas['AdminPatch'];
export type Setting = Schemas['Setting'];
export type SendInput = Schemas['SendMessageRequest'];
export type EntityChanged = Schemas['WsEntityChanged'];

export type Tone = Params['tone'];
export type Verbosity = Params['verbosity'];
export type Layer = ParamSource['layer'];
export type BindingScope = Binding['scope'];
export type PatternKind = Playbook['pattern_kind'];
export type ModerationAction = ModerationRule['action'];
export type NotificationKind = Notification['kind'];
export type ImportConflict = 'skip' | 'rename' | 'overwrite';

export const TONES = ['formal', 'friendly', 'neutral', 'aggressive'] as const satisfies Tone[];
export const VERBOSITIES = ['short', 'detailed'] as const satisfies Verbosity[];
export const PARAM_KEYS = [
  'temperature',
  'max_tokens',
  'tone',
  'verbosity',
  'emotional_intensity',
  'persona',
] as const satisfies (keyof Params)[];
export type ParamKey = (typeof PARAM_KEYS)[number];
export const BINDING_SCOPES = [
  'global',
  'chat',
  'user',
  'chat_user',
] as const satisfies BindingScope[];
export const PATTERN_KINDS = [
  'word',
  'phrase',
  'substring',
  'regex',
] as const satisfies PatternKind[];
export const MODERATION_ACTIONS = ['flag', 'hide', 'delete'] as const satisfies ModerationAction[];
export const NOTIFICATION_KINDS = [
  'mention',
  'error',
  'delivery_failed',
  'moderation',
] as const satisfies NotificationKind[];
