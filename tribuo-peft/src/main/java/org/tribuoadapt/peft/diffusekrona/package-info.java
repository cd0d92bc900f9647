/**
 * DiffuseKronA (Marjit et al. 2024): the Kronecker-product adapter, built on LoKr's machinery.
 */
package org.tribuoadapt.peft.diffusekrona;
