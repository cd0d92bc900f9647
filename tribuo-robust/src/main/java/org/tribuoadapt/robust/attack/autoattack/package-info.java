/**
 * AutoAttack's standard version (Croce and Hein 2020): APGD-CE, APGD-T, FAB-T and Square run in sequence as one
 * parameter-free evaluation attack.
 */
package org.tribuoadapt.robust.attack.autoattack;
