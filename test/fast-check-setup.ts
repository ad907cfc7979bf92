// Property-based tests run with one fixed seed, so that the suite CI runs is the same every time:
// a red run then means a change broke something, not that a new random case turned up. To
// explore further, run with FAST_CHECK_SEED=random (or a number); a failure prints its seed.
import fc from 'fast-check';

const wanted = process.env.FAST_CHECK_SEED;
if (wanted !== 'random') fc.configureGlobal({ seed: wanted !== undefined && wanted !== '' ? Number(wanted) : 20_261_126 });
