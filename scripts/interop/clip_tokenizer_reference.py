"""Reference token ids for the CLIP tokenizer tests (Tests/DiffusionTests/CLIPTokenizerTests.swift).

Usage: clip_tokenizer_reference.py OUT_DIR

Takes OpenAI's bpe_simple_vocab_16e6.txt.gz from the installed open_clip_torch wheel, derives
vocab.json + merges.txt from it as Hugging Face lays them out, generates captions deterministically
(plain, accents, decomposed accents, CJK, emoji, punctuation, numbers, contractions, curly quotes,
HTML entities, odd whitespace, Greek sigma, ligatures, full-width forms, control characters,
over-long text) and writes, per caption, the 77-id rows of
  - open_clip's SimpleTokenizer (clean="lower", as OpenAI's simple_tokenizer.py), padded with 49407;
  - transformers' CLIPTokenizer built from the derived files, padding="max_length", max_length=77,
    truncation=True.
open_clip/tokenizer.py is loaded by path: the package's __init__ imports torchvision, which the test
venv does not carry.
"""
import gzip
import importlib.util
import json
import os
import random
import sys


def load_open_clip_tokenizer_module():
    spec = importlib.util.find_spec("open_clip")
    folder = spec.submodule_search_locations[0]
    module_spec = importlib.util.spec_from_file_location("open_clip_tokenizer", os.path.join(folder, "tokenizer.py"))
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module, os.path.join(folder, "bpe_simple_vocab_16e6.txt.gz")


def write_hf_files(gz_path, out_dir, tokenizer):
    lines = gzip.open(gz_path).read().decode("utf-8").split("\n")
    merges = lines[1:49152 - 256 - 2 + 1]
    vocab = {}
    for token, index in tokenizer.encoder.items():
        vocab[{"<start_of_text>": "<|startoftext|>", "<end_of_text>": "<|endoftext|>"}.get(token, token)] = index
    with open(os.path.join(out_dir, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(out_dir, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "\n".join(merges) + "\n")


FRAGMENTS = {
    "plain": ["a photo of a", "red", "chair", "on a wooden table", "the cat sits", "in front of the house", "close-up",
              "HELLO World", "Zero-1-to-3", "product shot", "white background", "A Blue Car", "two dogs playing",
              "vintage lamp", "kitchen", "mountain bike", "sunset", "teapot", "sofa", "robot toy"],
    "accents": ["café", "naïve", "Ångström", "façade", "jalapeño", "Crème Brûlée", "São Paulo", "Øresund", "Łódź",
                "Dvořák", "Ærø", "straße", "İstanbul", "Ça va", "señor", "ÉCOLE"],
    "decomposed": ["cafe\u0301", "n\u0303", "A\u030angstro\u0308m", "e\u0301te\u0301", "u\u0308ber"],
    "cjk": ["一只红色的猫", "赤い猫", "빨간 고양이", "東京タワー", "漢字とかな", "中文字符", "ｶﾀｶﾅ"],
    "emoji": ["🐱", "👍🏽", "🇫🇷", "👨‍👩‍👧", "❤️", "🚀🚀", "☕", "🎉 party", "🙂"],
    "punctuation": ["!!!", "...", "—", "(sic)", "«quoted»", "¿qué?", "¡hola!", "#tag", "@user", "a/b", "x_y",
                    "[bracket]", "{brace}", "50%", "$9.99", "~", "--", "<b>", "a<b", "*", "\\n"],
    "numbers": ["1234", "3.14", "2024-01-01", "Ⅻ", "x²", "٣٤", "½", "१२", "10,000", "007"],
    "contractions": ["it's", "don't", "we're", "I'VE", "he'll", "she'd", "I'm", "they'RE", "'s", "rock'n'roll",
                     "o'clock"],
    "curly": ["don’t", "it’s", "‘single’", "“double”", "ʼquote"],
    "entities": ["&amp;", "&lt;b&gt;", "&#39;", "&#x27;", "&nbsp;", "&amp;amp;", "&copy", "&notit;", "AT&T",
                 "&#128512;", "&quot;hi&quot;", "&EACUTE;", "&eacute;", "&#0;", "&#150;", "&#xD800;", "&zzz;",
                 "&ampfoo", "&#65", "&#x41;", "&#59;", "&amp;lt;"],
    "whitespace": ["\t", "\n", "  ", "\u00a0", "\u3000", "\r\n", "\u2028", " \u2003 "],
    "greek": ["ΟΔΟΣ", "ΣΟΦΙΑ", "ΑΣ.", "Σ", "ὈΔΥΣΣΕΎΣ"],
    "ligatures": ["ﬁsh", "ﬂower", "ﬀ", "Ĳssel", "ǅ"],
    "fullwidth": ["ＡＢＣ", "１２３", "！？", "ｈｅｌｌｏ"],
    "control": ["\x07bell", "zero\u200bwidth", "bom\ufeff", "\x1b[31mred\x1b[0m", "soft\u00adhyphen"],
    "rare": ["ſ", "ͅ", "\u0345x", "'ſ", "ŉ"],
}


def captions(rng):
    kinds = sorted(FRAGMENTS)
    out = []
    for kind in kinds:
        out.extend(FRAGMENTS[kind])
    out.extend(["", " ", "   leading and trailing   ", "a" * 300, " ".join(["word"] * 100),
                "🐱" * 40, "supercalifragilisticexpialidocious " * 10])
    while len(out) < 1200:
        parts = []
        for _ in range(rng.randint(1, 8)):
            kind = rng.choice(kinds)
            parts.append(rng.choice(FRAGMENTS[kind]))
        separator = rng.choice([" ", " ", " ", "", ", ", "\t", "  "])
        text = separator.join(parts)
        if rng.random() < 0.1:
            text = (text + " ") * rng.randint(5, 20)
        out.append(text)
    return out


def main():
    out_dir = sys.argv[1]
    module, gz_path = load_open_clip_tokenizer_module()
    simple = module.SimpleTokenizer(bpe_path=gz_path)
    write_hf_files(gz_path, out_dir, simple)
    from transformers import CLIPTokenizer
    hf = CLIPTokenizer.from_pretrained(out_dir)
    assert hf.pad_token_id == 49407 and hf.bos_token_id == 49406, (hf.pad_token_id, hf.bos_token_id)
    texts = captions(random.Random(20240601))
    openai_rows = []
    for text in texts:
        ids = [simple.sot_token_id] + simple.encode(text)[:75] + [simple.eot_token_id]
        openai_rows.append(ids + [simple.eot_token_id] * (77 - len(ids)))
    hf_rows = hf(texts, padding="max_length", max_length=77, truncation=True)["input_ids"]
    with open(os.path.join(out_dir, "expected.json"), "w", encoding="utf-8") as f:
        json.dump({"gz": gz_path, "captions": texts, "openai": openai_rows, "huggingface": [list(r) for r in hf_rows]}, f)
    differ = sum(1 for a, b in zip(openai_rows, hf_rows) if list(a) != list(b))
    print("captions %d, references differ on %d" % (len(texts), differ))


if __name__ == "__main__":
    main()
