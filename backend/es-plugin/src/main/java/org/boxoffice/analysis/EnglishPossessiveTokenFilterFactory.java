package org.boxoffice.analysis;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.en.EnglishPossessiveFilter;
import org.elasticsearch.plugin.NamedComponent;
import org.elasticsearch.plugin.analysis.TokenFilterFactory;

/** {@code boxoffice_english_possessive}: Lucene's EnglishPossessiveFilter (Taylor's -> Taylor). */
@NamedComponent("boxoffice_english_possessive")
public class EnglishPossessiveTokenFilterFactory implements TokenFilterFactory {

    public EnglishPossessiveTokenFilterFactory() {}

    @Override
    public TokenStream create(TokenStream tokenStream) {
        return new EnglishPossessiveFilter(tokenStream);
    }
}
