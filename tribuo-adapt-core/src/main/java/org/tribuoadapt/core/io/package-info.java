/**
 * File output shared by every module: atomic replacement through a temporary file.
 */
package org.tribuoadapt.core.io;
