import { EventEmitter } from 'node:events';

/** Graph presence availability values. */
export type Availability =
  | 'Available' | 'AvailableIdle' | 'Away' | 'BeRightBack' | 'Busy' | 'BusyIdle'
  | 'DoNotDisturb' | 'Offline' | 'PresenceUnknown';

/** How a simulated Teams user answers when Call Automation rings them. */
export type RingBehaviour =
  | { readonly kind: 'accept'; readonly afterMs: number }
  | { readonly kind: 'decline'; readonly afterMs: number }
  | { readonly kind: 'noAnswer' };

export interface SimulatedTeamsUser {
  /** Entra object id: the Teams user id Call Automation adds (`microsoftTeamsUserId`) and Graph presence keys on. */
  readonly userId: string;
  readonly displayName: string;
  availability: Availability;
  activity: string;
  ringBehaviour: RingBehaviour;
  /** Calls the user is in; while non-empty Teams shows Busy / InACall. */
  readonly activeCallIds: Set<string>;
}

export interface TeamsUserInit {
  readonly userId: string;
  readonly displayName?: string;
  readonly availability?: Availability;
  readonly activity?: string;
  readonly ringBehaviour?: RingBehaviour;
}

export interface PresenceView {
  readonly id: string;
  readonly availability: Availability;
  readonly activity: string;
}

interface DirectoryEvents {
  presenceChanged: [PresenceView];
}

/**
 * The simulated Teams users of the local Azure: the one source of truth for a user's presence,
 * shared by the Call Automation emulator (which rings them and puts them in calls) and the Graph
 * emulator (which serves and notifies their presence).
 */
export class TeamsUserDirectory extends EventEmitter<DirectoryEvents> {
  private readonly users = new Map<string, SimulatedTeamsUser>();

  upsert(init: TeamsUserInit): SimulatedTeamsUser {
    const existing = this.users.get(init.userId);
    const user: SimulatedTeamsUser = existing ?? {
      userId: init.userId,
      displayName: init.displayName ?? init.userId,
      availability: 'Available',
      activity: 'Available',
      ringBehaviour: { kind: 'accept', afterMs: 0 },
      activeCallIds: new Set(),
    };
    if (init.ringBehaviour) user.ringBehaviour = init.ringBehaviour;
    this.users.set(user.userId, user);
    if (init.availability !== undefined || existing === undefined) {
      this.setPresence(user.userId, init.availability ?? user.availability, init.activity ?? init.availability ?? user.activity);
    }
    return user;
  }

  get(userId: string): SimulatedTeamsUser | undefined {
    return this.users.get(userId);
  }

  list(): SimulatedTeamsUser[] {
    return [...this.users.values()];
  }

  presenceOf(userId: string): PresenceView | undefined {
    const user = this.users.get(userId);
    return user && view(user);
  }

  setPresence(userId: string, availability: Availability, activity: string = availability): void {
    const user = this.require(userId);
    user.availability = availability;
    user.activity = activity;
    this.emit('presenceChanged', view(user));
  }

  /** Teams shows a user in a call as Busy / InACall; leaving the last call restores Available. */
  joinCall(userId: string, callId: string): void {
    const user = this.require(userId);
    user.activeCallIds.add(callId);
    if (user.availability !== 'Busy' || user.activity !== 'InACall') this.setPresence(userId, 'Busy', 'InACall');
  }

  leaveCall(userId: string, callId: string): void {
    const user = this.require(userId);
    if (!user.activeCallIds.delete(callId) || user.activeCallIds.size > 0) return;
    this.setPresence(userId, 'Available', 'Available');
  }

  private require(userId: string): SimulatedTeamsUser {
    const user = this.users.get(userId);
    if (!user) throw new Error(`Unknown simulated Teams user ${userId}`);
    return user;
  }
}

function view(user: SimulatedTeamsUser): PresenceView {
  return { id: user.userId, availability: user.availability, activity: user.activity };
}
