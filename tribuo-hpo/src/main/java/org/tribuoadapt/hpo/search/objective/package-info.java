/**
 * {@link org.tribuoadapt.hpo.search.objective.ConfigObjective}: trains and validates the Tribuo trainer of an OLCUT
 * configuration file with each trial's values as {@code --@component.property} overrides.
 */
package org.tribuoadapt.hpo.search.objective;
