/**
 * Shifted test streams: corruption scenarios and replays of shifted test sets from files, in reset-per-shift,
 * continual, mixed-domain and label-correlated (Dirichlet) orders, cut into batches of any size.
 */
package org.tribuoadapt.tta.scenario;
