// Form state ⇄ API bodies for playbooks and moderation rules, and the chat-id scope list
// ("-100123, 42" ⇄ [-100123, 42]; empty = every chat).
import type {
  ModerationAction,
  ModerationRule,
  ModerationRuleInput,
  PatternKind,
  Playbook,
  PlaybookInput,
} from '@/lib/api/behaviour';

export function parseChatIds(text: string): number[] | null | undefined {
  const parts = text
    .split(/[\s,;]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) return null;
  if (!parts.every((p) => /^-?\d{1,16}$/.test(p))) return undefined;
  return parts.map(Number);
}

export function formatChatIds(ids: number[] | null): string {
  return ids?.join(', ') ?? '';
}

export type RuleErrors = Partial<Record<string, string>>;

export type PlaybookForm = {
  name: string;
  enabled: boolean;
  priority: string;
  pattern: string;
  pattern_kind: PatternKind;
  chat_ids: string;
  preset_id: string;
  preset_hours: string;
  reply_text: string;
  stop: boolean;
};

export const EMPTY_PLAYBOOK: PlaybookForm = {
  name: '',
  enabled: true,
  priority: '100',
  pattern: '',
  pattern_kind: 'word',
  chat_ids: '',
  preset_id: '',
  preset_hours: '',
  reply_text: '',
  stop: false,
};

export function playbookToForm(p: Playbook): PlaybookForm {
  return {
    name: p.name,
    enabled: p.enabled,
    priority: String(p.priority),
    pattern: p.pattern,
    pattern_kind: p.pattern_kind,
    chat_ids: formatChatIds(p.chat_ids),
    preset_id: p.preset_id === null ? '' : String(p.preset_id),
    preset_hours: p.preset_hours === null ? '' : String(p.preset_hours),
    reply_text: p.reply_text ?? '',
    stop: p.stop,
  };
}

export function playbookToInput(p: Playbook): PlaybookInput {
  return {
    name: p.name,
    enabled: p.enabled,
    priority: p.priority,
    pattern: p.pattern,
    pattern_kind: p.pattern_kind,
    chat_ids: p.chat_ids,
    preset_id: p.preset_id,
    preset_hours: p.preset_hours,
    reply_text: p.reply_text,
    stop: p.stop,
    version: p.version,
  };
}

export function parsePlaybookForm(
  form: PlaybookForm,
  version?: number,
): { ok: true; body: PlaybookInput } | { ok: false; errors: RuleErrors } {
  const errors: RuleErrors = {};
  if (!form.name.trim()) errors.name = 'required';
  if (!form.pattern.trim()) errors.pattern = 'required';
  const priority = Number(form.priority);
  if (!Number.isInteger(priority)) errors.priority = 'integer';
  const chatIds = parseChatIds(form.chat_ids);
  if (chatIds === undefined) errors.chat_ids = 'chatIds';
  const hours = form.preset_hours.trim() === '' ? null : Number(form.preset_hours);
  if (hours !== null && !(Number.isFinite(hours) && hours > 0)) errors.preset_hours = 'positive';
  if (hours !== null && !form.preset_id) errors.preset_hours = 'needsPreset';
  if (Object.keys(errors).length > 0 || chatIds === undefined) return { ok: false, errors };
  return {
    ok: true,
    body: {
      name: form.name.trim(),
      enabled: form.enabled,
      priority,
      pattern: form.pattern,
      pattern_kind: form.pattern_kind,
      chat_ids: chatIds,
      preset_id: form.preset_id ? Number(form.preset_id) : null,
      preset_hours: hours,
      reply_text: form.reply_text.trim() || null,
      stop: form.stop,
      ...(version !== undefined ? { version } : {}),
    },
  };
}

export type ModerationForm = {
  name: string;
  enabled: boolean;
  pattern: string;
  pattern_kind: PatternKind;
  evasion: boolean;
  label: string;
  action: ModerationAction;
  chat_ids: string;
};

export const EMPTY_MODERATION: ModerationForm = {
  name: '',
  enabled: true,
  pattern: '',
  pattern_kind: 'word',
  evasion: true,
  label: '',
  action: 'flag',
  chat_ids: '',
};

export function moderationToForm(r: ModerationRule): ModerationForm {
  return {
    name: r.name,
    enabled: r.enabled,
    pattern: r.pattern,
    pattern_kind: r.pattern_kind,
    evasion: r.evasion,
    label: r.label,
    action: r.action,
    chat_ids: formatChatIds(r.chat_ids),
  };
}

export function moderationToInput(r: ModerationRule): ModerationRuleInput {
  return {
    name: r.name,
    enabled: r.enabled,
    pattern: r.pattern,
    pattern_kind: r.pattern_kind,
    evasion: r.evasion,
    label: r.label,
    action: r.action,
    chat_ids: r.chat_ids,
    version: r.version,
  };
}

export function parseModerationForm(
  form: ModerationForm,
  version?: number,
): { ok: true; body: ModerationRuleInput } | { ok: false; errors: RuleErrors } {
  const errors: RuleErrors = {};
  if (!form.name.trim()) errors.name = 'required';
  if (!form.pattern.trim()) errors.pattern = 'required';
  if (!form.label.trim()) errors.label = 'required';
  const chatIds = parseChatIds(form.chat_ids);
  if (chatIds === undefined) errors.chat_ids = 'chatIds';
  if (Object.keys(errors).length > 0 || chatIds === undefined) return { ok: false, errors };
  return {
    ok: true,
    body: {
      name: form.name.trim(),
      enabled: form.enabled,
      pattern: form.pattern,
      pattern_kind: form.pattern_kind,
      evasion: form.evasion,
      label: form.label.trim(),
      action: form.action,
      chat_ids: chatIds,
      ...(version !== undefined ? { version } : {}),
    },
  };
}

export function byPriority(a: Playbook, b: Playbook): number {
  return a.priority - b.priority || a.id - b.id;
}
