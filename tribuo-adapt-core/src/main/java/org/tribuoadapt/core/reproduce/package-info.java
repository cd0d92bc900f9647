/**
 * The service interface through which a module lets recorded evaluations of its own kind be reproduced
 * ({@link org.tribuoadapt.core.reproduce.EvaluationReproducer}), and the configuration recovered from a provenance
 * that it works from. The reproduction engine itself lives in the {@code tribuo-adapt-report} module.
 */
package org.tribuoadapt.core.reproduce;
