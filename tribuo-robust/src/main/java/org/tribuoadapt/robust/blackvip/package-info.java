/**
 * BlackVIP (Oh, Hwang, Park, Park, Kim and Kim, "BlackVIP: Black-Box Visual Prompting for Robust Transfer Learning",
 * CVPR 2023): a coordinator network learns an input-dependent visual prompt for a frozen black-box classifier, trained
 * by SPSA-GC from the classifier's predicted probabilities alone.
 */
package org.tribuoadapt.robust.blackvip;
