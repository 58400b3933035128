// For the user the history is filtered to: "Never auto-reply to this user" (a mute that holds in
// every chat).
import { useTranslation } from 'react-i18next';
import { Switch } from '@/components/ui/switch';
import { usePermission } from '@/hooks/use-permissions';
import { senderName } from '@/lib/utils/format';
import { useMuteUser, useUser } from '../api/user-mute';

export function UserMute({ userId }: { userId: number }) {
  const { t } = useTranslation();
  const canConfigure = usePermission('configure');
  const user = useUser(userId);
  const mute = useMuteUser(userId);
  if (!user.data) return null;
  return (
    <Switch
      label={t('controls.muteUser', { name: senderName(user.data) ?? `#${userId}` })}
      description={t('controls.muteUserHint')}
      checked={user.data.muted}
      readOnly={!canConfigure}
      disabled={mute.isPending}
      onChange={(muted) => mute.mutate(muted)}
    />
  );
}
