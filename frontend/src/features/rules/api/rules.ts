// Playbooks (/api/playbooks) and moderation rules (/api/moderation/rules): list, create,
// replace (also for the enable toggle, with the row's version), delete; plus POST
// /api/rules/test and the preset list the playbook form picks from.
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  ModerationRule,
  ModerationRuleInput,
  Playbook,
  PlaybookInput,
  RuleSet,
  RuleTestResult,
} from '@/lib/api/behaviour';
import { api, csrfHeader, unwrap } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';

export const playbooksQueryOptions = () =>
  queryOptions({
    queryKey: [...queryKeys.playbooks, { limit: 200 }],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/playbooks', { params: { query: { limit: 200 } }, signal })),
  });

export const moderationRulesQueryOptions = () =>
  queryOptions({
    queryKey: [...queryKeys.moderationRules, { limit: 200 }],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/moderation/rules', { params: { query: { limit: 200 } }, signal })),
  });

export function usePlaybooks() {
  return useQuery(playbooksQueryOptions());
}

export function useModerationRules() {
  return useQuery(moderationRulesQueryOptions());
}

/** The presets a playbook can apply: the shared list of lib/api/presets. */
export { usePresets as usePresetChoices } from '@/lib/api/presets';

export async function savePlaybook(id: number | null, body: PlaybookInput): Promise<Playbook> {
  const header = csrfHeader();
  return id === null
    ? unwrap(await api.POST('/api/playbooks', { params: { header }, body }))
    : unwrap(await api.PUT('/api/playbooks/{id}', { params: { path: { id }, header }, body }));
}

export async function saveModerationRule(
  id: number | null,
  body: ModerationRuleInput,
): Promise<ModerationRule> {
  const header = csrfHeader();
  return id === null
    ? unwrap(await api.POST('/api/moderation/rules', { params: { header }, body }))
    : unwrap(
        await api.PUT('/api/moderation/rules/{id}', { params: { path: { id }, header }, body }),
      );
}

export function useSavePlaybook(options: { handlesErrors?: boolean } = {}) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number | null; body: PlaybookInput }) =>
      savePlaybook(id, body),
    meta: { handlesErrors: options.handlesErrors },
    onSettled: () => void client.invalidateQueries({ queryKey: queryKeys.playbooks }),
  });
}

export function useSaveModerationRule(options: { handlesErrors?: boolean } = {}) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number | null; body: ModerationRuleInput }) =>
      saveModerationRule(id, body),
    meta: { handlesErrors: options.handlesErrors },
    onSettled: () => void client.invalidateQueries({ queryKey: queryKeys.moderationRules }),
  });
}

export function useDeletePlaybook() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (id: number) =>
      unwrap(
        await api.DELETE('/api/playbooks/{id}', { params: { path: { id }, header: csrfHeader() } }),
      ),
    onSettled: () => void client.invalidateQueries({ queryKey: queryKeys.playbooks }),
  });
}

export function useDeleteModerationRule() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (id: number) =>
      unwrap(
        await api.DELETE('/api/moderation/rules/{id}', {
          params: { path: { id }, header: csrfHeader() },
        }),
      ),
    onSettled: () => void client.invalidateQueries({ queryKey: queryKeys.moderationRules }),
  });
}

export async function testRules(text: string, ruleSet: RuleSet): Promise<RuleTestResult> {
  return unwrap(
    await api.POST('/api/rules/test', {
      params: { header: csrfHeader() },
      body: { text, rule_set: ruleSet },
    }),
  );
}

export function useTestRules() {
  return useMutation({
    mutationFn: ({ text, ruleSet }: { text: string; ruleSet: RuleSet }) => testRules(text, ruleSet),
    meta: { handlesErrors: true },
  });
}
