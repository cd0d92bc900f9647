/**
 * VeRA (Kopiczko et al. 2024): shared frozen random projections with trained scaling vectors.
 */
package org.tribuoadapt.peft.vera;
