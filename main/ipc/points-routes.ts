// The router's handlers for spending points (holds) and the expired-hold choices: each an engine
// call (main/loyalty/points-desk.ts), kept apart from routes.ts so each feature's channels read
// on their own.
import type { Handlers } from './handle.ts';
import type { Points } from '../loyalty/points-desk.ts';

type PointsChannels = 'points:availability' | 'points:hold' | 'points:release' | 'orders:hold-again' | 'orders:send-without-redemption';

export function createPointsHandlers(engine: { readonly points: Points }): Pick<Handlers, PointsChannels> {
  return {
    'points:availability': () => engine.points.availability(),
    'points:hold': (req) => engine.points.hold(req),
    'points:release': (req) => engine.points.release(req.holdReference),
    'orders:hold-again': (req) => engine.points.holdAgain(req.orderId),
    'orders:send-without-redemption': (req) => engine.points.sendWithoutRedemption(req.orderId),
  };
}
