// Events main pushes to every connected screen (the Electron window, browser-mode pages). Each
// payload is parsed with the contract's event schema before it goes out, so a push can carry
// nothing the contract does not name; a payload that does not fit is logged and dropped (the
// screen keeps its last good state rather than receiving garbage).
import { EVENTS, type EventName, type EventPayload } from '../../preload/api.ts';
import type { RouterLogger } from './handle.ts';

export type EventSink = (event: EventName, payload: unknown) => void;

export interface EventHub {
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  /** Adds a sink (a window, a socket); returns the function that removes it. */
  subscribe(sink: EventSink): () => void;
  /** The last payload sent for each event, so a screen that connects late starts current. */
  last<E extends EventName>(event: E): EventPayload<E> | undefined;
}

export function createEventHub(logger: RouterLogger): EventHub {
  const sinks = new Set<EventSink>();
  const lastPayloads = new Map<EventName, unknown>();
  return {
    emit(event, payload) {
      const parsed = EVENTS[event].safeParse(payload);
      if (!parsed.success) {
        logger.error(
          { event, issues: parsed.error.issues.slice(0, 5).map((i) => ({ path: i.path.map(String).join('.'), code: i.code })) },
          'event payload does not match the contract; dropped',
        );
        return;
      }
      lastPayloads.set(event, parsed.data);
      for (const sink of [...sinks]) {
        try {
          sink(event, parsed.data);
        } catch (err) {
          // One broken sink (a closed window) must not starve the others.
          logger.warn({ event, err }, 'event sink failed');
        }
      }
    },
    subscribe(sink) {
      sinks.add(sink);
      return () => {
        sinks.delete(sink);
      };
    },
    last<E extends EventName>(event: E) {
      return lastPayloads.get(event) as EventPayload<E> | undefined;
    },
  };
}
