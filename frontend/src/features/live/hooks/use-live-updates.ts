// Keeps the WebSocket open while an admin is logged in, folds its events into the query cache
// and backfills after every (re)connect; the connection asks the edge for the journal events it
// missed (/ws?after=), and a `resync` reloads everything. Returns the connection status for the indicator.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import type { Notification } from '@/lib/api/behaviour';
import { handleGlobalError } from '@/lib/query-client';
import { fetchBackfillPage } from '../api/backfill-messages';
import { checkSession } from '../api/check-session';
import { applyLiveEvent, forgetLlmStreams } from '@/lib/live/apply-event';
import { backfillAll } from '../utils/backfill';
import { LiveConnection, liveUrl, type LiveStatus } from '../utils/connection';

type LiveOptions = {
  /** Called for each `notification.created`, after the cache has it (e.g. to show a toast). */
  onNotification?: (notification: Notification) => void;
};

export function useLiveUpdates(enabled: boolean, options: LiveOptions = {}): LiveStatus {
  const client = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const onNotification = useRef(options.onNotification);
  useEffect(() => {
    onNotification.current = options.onNotification;
  });

  useEffect(() => {
    if (!enabled) return;
    const connection = new LiveConnection({
      url: liveUrl(window.location),
      onEvent: (event) => {
        applyLiveEvent(client, event);
        if (event.type === 'notification.created') onNotification.current?.(event.data);
        // too much missed to replay event by event: reload every list, backfill messages
        if (event.type === 'resync') {
          client.invalidateQueries().catch((error: unknown) => handleGlobalError(error, false));
          backfillAll(client, fetchBackfillPage).catch((error: unknown) =>
            handleGlobalError(error, false),
          );
        }
      },
      onStatus: setStatus,
      onOpen: () => {
        forgetLlmStreams(client);
        backfillAll(client, fetchBackfillPage).catch((error: unknown) =>
          handleGlobalError(error, false),
        );
      },
      onRetry: (failures) => {
        // A refused upgrade (expired session) looks like any other drop; ask the API.
        if (failures >= 2) {
          checkSession().catch((error: unknown) => handleGlobalError(error, true));
        }
      },
    });
    connection.start();
    return () => connection.stop();
  }, [client, enabled]);

  return status;
}
