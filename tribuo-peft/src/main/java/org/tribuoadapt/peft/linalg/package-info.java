/**
 * Dense linear algebra the adapter methods need and DJL does not provide, such as the singular value decomposition.
 */
package org.tribuoadapt.peft.linalg;
