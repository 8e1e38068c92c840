package org.boxoffice.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.PorterStemFilter;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;

/**
 * {@code boxoffice_english_stem}: Lucene's PorterStemFilter, the stemmer behind Elasticsearch's built-in
 * {@code english} analyzer ({@code stemmer} with language {@code english}). It conflates the plural and
 * singular (concerts, concert -> concert) and also the common derivations (touring/tours -> tour,
 * performances/performance -> perform), which the minimal (plural-only) stemmer does not. Expects
 * lowercased input, so put it after {@code lowercase}.
 */
@NamedComponent("boxoffice_english_stem")
public class EnglishStemTokenFilterFactory implements TokenFilterFactory {

    public EnglishStemTokenFilterFactory() {}

    @Override
    public TokenStream create(TokenStream tokenStream) {
        return new PorterStemFilter(tokenStream);
    }
}
