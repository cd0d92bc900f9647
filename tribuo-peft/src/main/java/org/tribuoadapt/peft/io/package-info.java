/**
 * Hugging Face PEFT's {@code adapter_config.json} as typed fields ({@link org.tribuoadapt.peft.io.PeftConfigJson}) and
 * the error for malformed adapter files: the low-level format every method's spec reads and writes. This package
 * imports nothing else of the PEFT module, so methods and framework can both use it; the adapter files themselves are
 * read and written by {@link org.tribuoadapt.peft.AdapterFiles}.
 */
package org.tribuoadapt.peft.io;
