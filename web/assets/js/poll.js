// The poll page works without this script; it adds the reader's local
// times and keeps the countdown current.
import { countdowns, localTimes } from './common.js';

localTimes();
countdowns();
