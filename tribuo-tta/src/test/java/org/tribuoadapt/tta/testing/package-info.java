/**
 * Shared fixtures for the tribuo-tta tests.
 */
package org.tribuoadapt.tta.testing;
