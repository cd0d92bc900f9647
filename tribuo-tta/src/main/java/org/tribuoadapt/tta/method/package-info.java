/**
 * Test-time adaptation methods: predict a shifted test stream batch by batch without labels, adapting network models
 * in private copies. This package holds what the methods share: the {@link org.tribuoadapt.tta.method.TestTimeMethod}
 * interface and its sessions, the model outputs, the normalisation-layer machinery of Tent, EATA and SAR, and the
 * {@link org.tribuoadapt.tta.method.TestTimeMethods} registry. Each method lives in its own sub-package (source,
 * batchnorm, tent, eata, sar, lame, t3a, labelshift) and registers itself through a
 * {@link org.tribuoadapt.tta.method.TestTimeMethodProvider}.
 */
package org.tribuoadapt.tta.method;
