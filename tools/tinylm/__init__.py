"""What the demo decoders' training scripts share (tools/tiny-gpt/train.py, tools/tiny-llama/train.py).

    bpe       byte-level BPE (GPT-2 conventions): training, encoding, vocab.json + merges.txt
    training  seeding and the training loop over random windows of the corpus
    export    Optimum's decoder ONNX signature, greedy reference ids, model.json and the tokenizer's JSON files

The scripts import it with tools/ on sys.path; it needs Debian python3-torch, python3-onnx and python3-numpy.
"""
