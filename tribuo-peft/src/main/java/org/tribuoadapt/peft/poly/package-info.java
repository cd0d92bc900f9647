/**
 * Polytropon (Poly, Ponti et al. 2023) and Multi-Head Adapter Routing (MHR, Caccia et al. 2023): an inventory of LoRA
 * skills per layer mixed by a learned per-task routing, with MHR's heads, its zero-shot variant MHR-z and the
 * averaged-routing collapse MHR-μ.
 */
package org.tribuoadapt.peft.poly;
