/**
 * Test-time adaptation: shifted test streams, adaptation methods and the evaluator that replays them.
 */
package org.tribuoadapt.tta;
