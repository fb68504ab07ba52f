"""Questions per category: administrators define them (``definitions``), nominators answer
them in the nomination form: ``reading`` their answers, ``validating`` what was typed and
what may be submitted, ``saving`` it with the draft.

What may change once a question has answers (decided here, told in README.md):

- The kind never changes after the question is created (delete it and add another instead).
- Label, help text, the required flag, the word limit and the number bounds may change at any
  time until the round's results are published. Answers already given stay as they were; the
  new rules apply the next time the nomination is saved and checked (submitted, or edited
  after submission), so a nominator who edits a submitted nomination may be asked to fix an
  answer the new rule refuses.
- Options of a choice question may be added or reordered, and their bokmål text changed, but
  an option cannot be removed or renamed once an answer chose anything: answers store the
  option's English text, which must keep meaning what the nominator chose.
- A question can be removed while no submitted (or later) nomination answered it; the answers
  of drafts go with it.
"""
