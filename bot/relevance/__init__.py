"""Relevance: how close a paper is to what a channel (or a person) likes, and the blend of
that with hotness.

``model`` trains a tf-idf + linear SVM on a channel's feedback (pure: values in, scores out);
``blend`` mixes the hot score with it per subscription (pure); ``interests`` reads imported
interests (BibTeX, Zotero CSV, lists of arXiv ids; pure, on text); ``taste`` gathers a
channel's examples from the store. It may import scikit-learn, the core's values, the
feedback values and the store; never a chat SDK or ``adapters``. Import the modules
themselves: scikit-learn loads slowly, and only ``model`` needs it.
"""
