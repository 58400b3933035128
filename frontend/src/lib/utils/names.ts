// Names for people next to the machine ids the API keeps (AuditEntry actor/actor_name,
// Binding created_by/created_by_name): "system" and "rule: <name>" come from the server in
// English, so they are translated here; an admin's login or any other name is shown as is.
import type { TFunction } from 'i18next';

/** The actor for people: the admin's login, "System", "Rule “name”", else the id. */
export function actorLabel(
  actor: string,
  actorName: string | null | undefined,
  t: TFunction,
): string {
  const name = actorName?.trim() || actor;
  if (actor === 'db:rt_edge' || name === 'system') return t('names.system');
  if (/^(rule:|playbook:)/.test(actor)) {
    return t('names.rule', { name: name.replace(/^rule:\s*/, '') });
  }
  return name;
}

/** A chat for people: its title, else "chat <id>". */
export function chatLabel(chatId: number, title: string | null | undefined, t: TFunction): string {
  return title?.trim() || t('names.chat', { id: chatId });
}
