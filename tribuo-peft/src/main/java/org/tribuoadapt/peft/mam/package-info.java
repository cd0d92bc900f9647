/**
 * The mix-and-match adapter of He et al. (2022, "Towards a Unified View of Parameter-Efficient Transfer Learning"):
 * prefix tuning on the attention and a scaled parallel bottleneck adapter on the feed-forward branch.
 */
package org.tribuoadapt.peft.mam;
