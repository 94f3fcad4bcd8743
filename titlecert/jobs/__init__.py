"""Issuing jobs: a batch as a job in the registry, worked unit by unit, resumable and exactly once.

- `plan`: the job's plan and award keys; `opening`: allocate every number and create the job in
  one transaction (or find the unfinished job of the same command); `continuation`: the same
  session's job continued with corrected input;
- `inputs`: the session and photos kept in the document store, the award secrets kept encrypted;
- `work`: the unit of work from ids alone, and its stages; `process`: a whole unit (`process_unit`);
- `register`: one transaction per unit, exactly once;
- `convert`: the `Converter` the pipeline feeds;
- `runner`: the local runner overlapping the stages; `outcome`: writing out and settling the job;
- `progress`: the progress bar and the JSON progress stream; `views`, `cli`: what staff see.
"""
