/**
 * Test-time adaptation methods (Source, BN-adapt, alpha-BN, Tent, EATA, SAR, LAME, T3A and label-shift EM) that
 * predict a shifted test stream batch by batch without labels, adapting network models in private copies.
 */
package org.tribuoadapt.tta.method;
