/**
 * Reading an XML file safely into a small element tree, for the census return.
 *
 * The parser is saxes (a streaming, well-formedness-checking XML parser, also used by jsdom): it
 * never fetches anything, knows only the five predefined entities and character references, and
 * reports a DOCTYPE rather than processing it. fairload refuses any DOCTYPE as soon as it is read
 * (a census has none; a DTD is how XXE and "billion laughs" files work) and any undefined entity,
 * so no external entity is resolved and no entity is expanded. Namespace prefixes are dropped
 * (`csww:CSWWWorker` is `CSWWWorker`); the encoding is taken from the BOM or the XML declaration.
 * Every refusal is an {@link XmlRefused} with a plain message (no stack trace, no file content).
 */
import { SaxesParser } from "saxes";

/** One element: its local name (prefix dropped), its children, its own text (trimmed) and the line it starts on. */
export interface XmlElement {
  name: string;
  children: XmlElement[];
  text: string;
  line: number;
}

/** A file that is not safe or not well-formed XML: the message says why, plainly. */
export class XmlRefused extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = "XmlRefused";
  }
}

/** Deeper nesting than this is refused (a census is four levels deep). */
export const MAX_DEPTH = 32;

const localName = (qname: string) => qname.slice(qname.lastIndexOf(":") + 1);

/**
 * Text of the bytes of an XML file: UTF-8 (with or without BOM), UTF-16 with a BOM, or the
 * single-byte encodings a declaration may name (ISO-8859-1, Windows-1252, US-ASCII).
 */
export function decodeXml(bytes: Uint8Array): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return utf8(bytes.subarray(3));
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder("utf-16le").decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder("utf-16be").decode(bytes.subarray(2));
  if (bytes[0] === 0x3c && bytes[1] === 0x00) return new TextDecoder("utf-16le").decode(bytes);
  if (bytes[0] === 0x00 && bytes[1] === 0x3c) return new TextDecoder("utf-16be").decode(bytes);
  const head = Buffer.from(bytes.subarray(0, 200)).toString("latin1");
  const declared = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1]?.toLowerCase();
  if (!declared || declared === "utf-8" || declared === "utf8") return utf8(bytes);
  if (["iso-8859-1", "latin1", "latin-1", "windows-1252", "cp1252", "us-ascii", "ascii"].includes(declared)) return new TextDecoder("windows-1252").decode(bytes);
  if (declared.startsWith("utf-16")) throw new XmlRefused(`the XML declaration says ${declared} but the file has no byte-order mark; expected UTF-8 (as the DfE COLLECT system exports it) or UTF-16 with a byte-order mark`);
  throw new XmlRefused(`the XML declaration names the encoding "${declared}", which fairload does not read; expected UTF-8 (as the DfE COLLECT system exports it), UTF-16 or ISO-8859-1`);
}

function utf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new XmlRefused("the file is not valid UTF-8 text although it does not declare another encoding; expected an XML file saved as UTF-8");
  }
}

/**
 * Parse XML text into an element tree. Refuses, with an {@link XmlRefused}: a DOCTYPE (DTDs and
 * entity declarations, so XXE and entity-expansion bombs, at the moment the DOCTYPE is read), an
 * undefined entity, anything not well-formed, nesting deeper than {@link MAX_DEPTH}, or no root.
 * Mixed content keeps only the element's own text; comments and processing instructions are skipped.
 */
export function parseXml(text: string): XmlElement {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const texts: string[][] = [];
  parser.on("doctype", () => {
    throw new XmlRefused(
      "the file declares a DTD (<!DOCTYPE ...>), which fairload never reads: a DTD can make an XML reader fetch other files (XXE) or expand entities until memory runs out (\"billion laughs\"); expected a census file as the DfE COLLECT system exports it, which has no DOCTYPE",
      parser.line,
    );
  });
  parser.on("error", (e) => {
    const msg = e.message.replace(/^\d+:\d+:\s*/, "").replace(/\.$/, "");
    if (/undefined entity/i.test(msg)) {
      throw new XmlRefused(`an entity reference that is not one of XML's own five (&amp; &lt; &gt; &quot; &apos;); fairload expands no other entity; expected plain text or character references`, parser.line);
    }
    throw new XmlRefused(`not well-formed XML (${msg})`, parser.line);
  });
  parser.on("opentag", (tag) => {
    const el: XmlElement = { name: localName(tag.name), children: [], text: "", line: parser.line };
    if (stack.length === 0) {
      if (root) throw new XmlRefused("more than one root element", parser.line);
      root = el;
    } else {
      stack[stack.length - 1]!.children.push(el);
    }
    stack.push(el);
    texts.push([]);
    if (stack.length > MAX_DEPTH) throw new XmlRefused(`elements nested more than ${MAX_DEPTH} deep; a census is four levels deep`, parser.line);
  });
  const onText = (t: string) => {
    if (texts.length) texts[texts.length - 1]!.push(t);
  };
  parser.on("text", onText);
  parser.on("cdata", onText);
  parser.on("closetag", () => {
    const el = stack.pop()!;
    el.text = texts.pop()!.join("").trim();
  });
  try {
    // in pieces, so that a refusal comes as soon as its cause is read
    const step = 1 << 16;
    for (let i = 0; i < text.length; i += step) parser.write(text.slice(i, i + step));
    parser.close();
  } catch (e) {
    if (e instanceof XmlRefused) throw e;
    throw new XmlRefused(`not well-formed XML (${String((e as Error).message ?? e).split("\n")[0]})`, parser.line);
  }
  if (!root) throw new XmlRefused("no XML element found; expected a census file (a Message element holding CSWWWorker records)");
  return root;
}

/** The first child named `name`, or undefined. */
export function child(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

/** Every child named `name`. */
export function children(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

/** Is this text (the start of a file) an XML document whose root is a census Message? A cheap look, not a parse. */
export function looksLikeXml(head: string): boolean {
  return /^\s*(<\?xml|<!--|<!DOCTYPE|<[A-Za-z_])/.test(head.replace(/^\uFEFF/, ""));
}
