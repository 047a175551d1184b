import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { PresenceReading } from '../ports.js';

export const presenceLifecycleEvents = ['reauthorizationRequired', 'subscriptionRemoved', 'missed'] as const;
export type PresenceLifecycleEvent = (typeof presenceLifecycleEvents)[number];

export interface PresenceLifecycleNotification {
  readonly subscriptionId: string;
  readonly lifecycleEvent: PresenceLifecycleEvent;
  readonly subscriptionExpiresAt: Date | undefined;
}

export type PresenceNotificationParse =
  | {
      readonly kind: 'accepted';
      /** The last presence carried for each user in the batch, in order of arrival. */
      readonly readings: PresenceReading[];
      /**
       * Users whose presence changed but whose notification carried no availability (a basic
       * notification, or resource data that is encrypted): read them again with getPresences.
       */
      readonly changedUserIds: string[];
      readonly lifecycleEvents: PresenceLifecycleNotification[];
      /** Notifications of a kind this parser does not know (logged by the caller, not failed). */
      readonly unrecognized: string[];
    }
  | { readonly kind: 'rejected'; readonly reason: 'malformed' | 'clientStateMismatch'; readonly detail: string };

const notificationItem = z.object({
  subscriptionId: z.string().min(1),
  clientState: z.string().nullish(),
  subscriptionExpirationDateTime: z.string().optional(),
  changeType: z.string().optional(),
  resource: z.string().optional(),
  resourceData: z
    .object({ id: z.string().min(1).optional(), availability: z.string().min(1).optional(), activity: z.string().min(1).optional() })
    .optional(),
  lifecycleEvent: z.string().optional(),
});
const notificationCollection = z.object({ value: z.array(notificationItem).min(1) });

/**
 * Reads a Microsoft Graph presence change-notification POST body (changeNotificationCollection),
 * including lifecycle notifications. Every item must carry the clientState given when the
 * subscription was created; one that does not marks the whole request as forged.
 */
export function parsePresenceNotifications(body: unknown, expectedClientState: string): PresenceNotificationParse {
  if (expectedClientState === '') throw new RangeError('The expected clientState must not be empty');
  const parsed = notificationCollection.safeParse(body);
  if (!parsed.success) return { kind: 'rejected', reason: 'malformed', detail: z.prettifyError(parsed.error) };

  const items = parsed.data.value;
  const forged = items.findIndex((item) => !sameSecret(item.clientState ?? '', expectedClientState));
  if (forged >= 0) {
    return { kind: 'rejected', reason: 'clientStateMismatch', detail: `value[${forged}] (subscription ${items[forged]?.subscriptionId}) carries another clientState` };
  }

  const readings = new Map<string, PresenceReading>();
  const changedUserIds = new Set<string>();
  const lifecycleEvents: PresenceLifecycleNotification[] = [];
  const unrecognized: string[] = [];
  for (const [index, item] of items.entries()) {
    if (item.lifecycleEvent !== undefined) {
      if (isLifecycleEvent(item.lifecycleEvent)) {
        lifecycleEvents.push({
          subscriptionId: item.subscriptionId,
          lifecycleEvent: item.lifecycleEvent,
          subscriptionExpiresAt: dateOrUndefined(item.subscriptionExpirationDateTime),
        });
      } else {
        unrecognized.push(`value[${index}]: lifecycleEvent '${item.lifecycleEvent}'`);
      }
      continue;
    }
    const userId = item.resourceData?.id ?? userIdOfResource(item.resource);
    if (item.changeType !== 'updated' || userId === undefined) {
      unrecognized.push(`value[${index}]: changeType '${item.changeType ?? ''}' on '${item.resource ?? ''}'`);
      continue;
    }
    const { availability, activity } = item.resourceData ?? {};
    if (availability !== undefined && activity !== undefined) {
      readings.delete(userId);
      readings.set(userId, { userId, availability, activity });
      changedUserIds.delete(userId);
    } else {
      changedUserIds.add(userId);
    }
  }
  return { kind: 'accepted', readings: [...readings.values()], changedUserIds: [...changedUserIds], lifecycleEvents, unrecognized };
}

/**
 * The token of Graph's notification-URL validation request (`POST {url}?validationToken=...`), to be
 * echoed as `200 text/plain` within 10 s; undefined for an ordinary notification.
 */
export function validationTokenOf(requestUrl: string): string | undefined {
  const token = new URL(requestUrl, 'http://localhost').searchParams.get('validationToken');
  return token === null ? undefined : token;
}

/** `communications/presences('{id}')` or `communications/presences/{id}` (Graph has used both). */
function userIdOfResource(resource: string | undefined): string | undefined {
  if (resource === undefined) return undefined;
  const match = /communications\/presences(?:\('([^']+)'\)|\/([^/?]+))\s*$/i.exec(resource);
  return match?.[1] ?? match?.[2];
}

function isLifecycleEvent(value: string): value is PresenceLifecycleEvent {
  return (presenceLifecycleEvents as readonly string[]).includes(value);
}

function dateOrUndefined(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function sameSecret(actual: string, expected: string): boolean {
  const a = Buffer.from(actual, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
