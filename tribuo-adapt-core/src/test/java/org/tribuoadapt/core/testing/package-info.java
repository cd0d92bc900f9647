/**
 * Test data shared with the other modules through the test-jar.
 */
package org.tribuoadapt.core.testing;
